"""The ground every layer stands on: settings, the build database and the shared vocabulary.

Nothing here imports another package of the project.
"""
