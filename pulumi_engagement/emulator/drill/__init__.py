"""The drill machinery: the virtual clock, faults, simulated responders, the pager inbox, seeds."""
