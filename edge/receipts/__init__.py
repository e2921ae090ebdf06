"""Receipts: one document (sale, return, X or Z report) printed as plain text or ESC/POS bytes.

`document` holds the checked, frozen documents; `text` lays them out for 48 or 32 columns;
`escpos` turns them into ESC/POS bytes through python-escpos; `sinks` sends the bytes to the
till's printer (file, network port 9100, USB). Nothing here reads the database: the caller
builds the document from the sale or the shift.
"""
