"""The dashboard's pages: thin faces that call the core through kaohe.ui."""
