"""The ledger import wizard (台账导入): dispatchers and administrators bring an office's own ledgers in."""
