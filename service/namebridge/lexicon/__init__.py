"""Reading and validating the files under ``lexicons/``."""
