"""The chat agent: its turns and architectures, conversations, and feedback turned into memory changes."""
