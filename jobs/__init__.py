"""Long work outside the page script: job rows in the store (store.jobs), worker processes that run them
(jobs.worker), a small pool that starts workers when there is work and notices when they die (jobs.pool),
and what each kind of job computes and stores (jobs.tasks). No Streamlit here."""
