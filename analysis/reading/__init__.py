"""Reading a dataset: the one reader every upload, data-folder file, SQL table and predictions file goes through.

    read.py      read_table / read_csv: bytes and a file name -> a typed frame (or a reason it cannot be read)
    sniff.py     what a file is (CSV dialect and encoding, Parquet, Excel, compressed) from its first bytes
    parse.py     text cells into numbers, dates and booleans; Arrow columns into the frame's types
    formats/     one module per format beyond CSV: Parquet, Excel workbooks, compressed files, MLflow tables
"""
