"""The pieces of scripts/harness.py, Nuthatch's test runner."""
