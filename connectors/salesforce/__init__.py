"""leadpact."""
