"""quoteqa's front ends: the command line, the console, Telegram and evaluation.

They hold no retrieval logic; everything goes through `retrieval.Engine`.
"""
