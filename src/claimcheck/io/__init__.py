"""Input and output: readers turn files into parsed claims, writers turn reports into files.

Readers never import the engine; the engine never imports this package.
"""
