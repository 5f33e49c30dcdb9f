"""CityGuard: safety and emergency management for a city district."""

__version__ = "0.1.0"
