"""What Snakemake's own process runs from the Snakefile: the console at a build's end and the workarounds
for Snakemake itself. Standard library only, and nothing of the package: Snakemake imports it on every run.
"""
