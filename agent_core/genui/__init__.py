"""Generative UI without Qt: component schemas, the A2UI model, the sanitizer, the turn and its service.

The page (`ui_patterns.genui`) renders what these produce; the agent engine runs the turns.
"""
