"""Strategy: segments, strategies as data, next best action, scheduler, champion/challenger."""
