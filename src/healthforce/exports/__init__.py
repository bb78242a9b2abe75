"""Getting data out: tables (CSV, XLSX) safe to open in a spreadsheet."""
