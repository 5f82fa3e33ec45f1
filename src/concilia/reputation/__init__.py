"""E-reputation: what is said about the agency (sentiment, topic, negative spikes)."""
