package storage

import "context"

// MigrateUpTo applies migrations up to version, to build a database as an
// earlier release left it.
func (d *DB) MigrateUpTo(ctx context.Context, version int64) error {
	_, err := d.goose.UpTo(ctx, version)
	return err
}

// MigrateDownTo rolls migrations back to version.
func (d *DB) MigrateDownTo(ctx context.Context, version int64) error {
	_, err := d.goose.DownTo(ctx, version)
	return err
}
