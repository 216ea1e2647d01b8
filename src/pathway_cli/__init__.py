"""pathway: plain-text case records for learner coaching, mentoring and tailored pathways."""

__all__ = ["__version__"]

__version__ = "0.1.0"
