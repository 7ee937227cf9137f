"""The city in simulation: emergency demand, and (to come) scenarios and sweeps."""
