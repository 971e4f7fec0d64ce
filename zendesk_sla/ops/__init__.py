"""Running the worker: settings, logs, progress, metrics, health, the daemon, reloads."""
