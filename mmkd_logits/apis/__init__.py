"""What the tools share: published results, sweeps over seeds, summaries of
runs (and, as the tools move into the package, the rest of their logic)."""
