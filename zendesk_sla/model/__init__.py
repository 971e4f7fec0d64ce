"""The severity model, an adapter beside the rules: its corpus, its training, its artefact."""
