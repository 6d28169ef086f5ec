"""xAPI statements to one or more Learning Record Stores, sent through the job queue.

Record changes are noticed by flush listeners (xapi.capture) and kept in an outbox until an
LRS has them; statements are built from the rows when sent (xapi.statements).
"""
