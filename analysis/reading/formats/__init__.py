"""The file formats the one reader (analysis.reading.read.read_table) takes besides plain CSV: Parquet (parquet),
Excel workbooks (xlsx), gzip-compressed CSV (compressed), tables logged with mlflow.log_table (mlflow_table).
Each turns bytes into raw columns or plain CSV bytes, or raises ReadError naming what is wrong with the file;
analysis.reading.read types the columns as it does for CSV."""
