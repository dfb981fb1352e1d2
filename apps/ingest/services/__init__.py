"""Loading data sets into the database and writing them back out.

``loader`` validates and upserts records in the contract's fixture shape; ``readers`` turn
fixture and CSV files into such records; ``un`` and ``ofac`` turn the official lists into
them; ``exporters`` write fixtures, CSV and FollowTheMoney entities.
"""
