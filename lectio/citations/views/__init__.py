"""The citations app's pages: Cite It! (`citeit`) and import and export
(`transfer`)."""
