"""The verbs of Wishmap: each module owns the queries and the transaction for one noun."""
