"""Blueprint's tests, in folders that mirror the code: analysis/, design/, store/, jobs/, signin/ and blueprint/ for
the packages, pages/ for AppTest runs of the pages, e2e/ for Chromium; shared fixtures and helpers at this level."""
