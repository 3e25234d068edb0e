"""Operations: backup and restore of the database and the attachments, and retention (脱敏).

The top layer: it may read any app, and no app imports it."""
