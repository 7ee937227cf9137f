"""What all capabilities share: settings, database, identity, access, audit, outbox, clock."""
