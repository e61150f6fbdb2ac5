"""The tools beside the pipeline: comparing two builds (`tnr-pipeline diff`) and checking a catalogue."""
