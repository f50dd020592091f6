"""quoteqa's settings: one frozen object, read from the TOML defaults and the environment."""

from config.settings import DEFAULT_CONFIG, ConfigError, Settings, load_settings

__all__ = ["DEFAULT_CONFIG", "ConfigError", "Settings", "load_settings"]
