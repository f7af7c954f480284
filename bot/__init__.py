"""AskGov HK: cited, multilingual answers from Hong Kong policy documents."""

__version__ = "0.1.0"
