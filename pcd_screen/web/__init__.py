"""The desk officer's workbench (`pcd-screen serve`): a local web app that drafts a proposal from
a document, lets the officer review and answer it in a form generated from the proposal schema
and the vocabularies, screens it through the same session as the command line after every
change, records the officer's decision on each finding, and offers the downloads (proposal YAML,
report HTML and PDF, the letter to the applicant, the decisions and the waivers they imply).

Nothing is written to disk: each workspace lives in memory in the server process (workspaces.py)
and disappears with it or after an hour without use."""
