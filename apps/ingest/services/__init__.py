"""Loading data sets into the database and writing them back out.

``apps.ingest.loader`` validates and upserts records in the contract's fixture shape;
``readers`` turn fixture and CSV files into such records; ``contract`` is the contract as the
loader and the exporters see it; ``un`` and ``ofac`` turn the official lists into
them; ``exporters`` write fixtures, CSV and FollowTheMoney entities.
"""
