"""Date and time formats of the portal by language (``FORMAT_MODULE_PATH``); what a module does
not set comes from Django's formats for the language."""
