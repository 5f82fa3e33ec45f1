"""The debtor portal: verified self-service entry, the debt, disputes, plans, preferences."""
