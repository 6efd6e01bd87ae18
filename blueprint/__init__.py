"""Blueprint from the command line: ``blueprint check`` holds a pipeline's data and model to the design document the
reviewers approved, with the same analysis units, the same store and an exit code (blueprint.cli).

    cli.py       the command: options, exit codes, one-line messages on stderr
    project.py   where the design document comes from: an exported project file, or a data folder's project
    inputs.py    the data files given, read by the one reader, as the analysis units read data (analysis.units.Inputs)
    check.py     plan every unit once, compute, judge the criteria (design.checks)
    report.py    what was found, and the exit code
    outputs.py   the table, JSON, JUnit XML and Markdown
"""
