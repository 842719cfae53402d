"""What every agent runs on: the engine, the model client, runs and steps, settings, tools, crash logs."""
