"""Web plumbing at the bottom of the house (DESIGN.md: core.web): the single XLSX/CSV writer, bounded request
parameters. Domain packages import it; no domain knowledge here."""
