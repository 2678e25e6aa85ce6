import Foundation
import GRDB

extension Migration {
    static let v05SyncState = Migration(name: "v5-sync-state") { db, _ in
        // The sync state as typed columns (it was string keys in node_meta, written in one
        // module and read back in another). One row.
        try db.execute(
            sql: """
                CREATE TABLE sync_state(
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    pull_cursor INTEGER NOT NULL DEFAULT 0,
                    last_push_ok INTEGER, last_pull_ok INTEGER, last_sync_ok INTEGER,
                    problem_cause TEXT, problem_message TEXT, problem_advice TEXT, problem_at INTEGER,
                    clock_skew_ms INTEGER, clock_offset_ms INTEGER,
                    held_by_parent TEXT, refused_by_parent INTEGER NOT NULL DEFAULT 0, last_refusal TEXT,
                    file_check_cursor INTEGER NOT NULL DEFAULT 0);
                INSERT INTO sync_state(id) VALUES (1);
                UPDATE sync_state SET
                    pull_cursor = COALESCE((SELECT CAST(value AS INTEGER) FROM node_meta WHERE key = 'pull_cursor'), 0),
                    last_push_ok = (SELECT CAST(value AS INTEGER) FROM node_meta WHERE key = 'last_push_ok'),
                    last_pull_ok = (SELECT CAST(value AS INTEGER) FROM node_meta WHERE key = 'last_pull_ok'),
                    last_sync_ok = (SELECT CAST(value AS INTEGER) FROM node_meta WHERE key = 'last_sync_ok'),
                    problem_cause = (SELECT value FROM node_meta WHERE key = 'last_error_cause'),
                    problem_message = (SELECT value FROM node_meta WHERE key = 'last_error'),
                    problem_advice = (SELECT value FROM node_meta WHERE key = 'last_error_advice'),
                    problem_at = (SELECT CAST(value AS INTEGER) FROM node_meta WHERE key = 'last_error_at'),
                    clock_skew_ms = (SELECT CAST(value AS INTEGER) FROM node_meta WHERE key = 'clock_skew_ms'),
                    clock_offset_ms = (SELECT CAST(value AS INTEGER) FROM node_meta WHERE key = 'clock_offset_ms'),
                    held_by_parent = (SELECT value FROM node_meta WHERE key = 'held_by_parent'),
                    refused_by_parent = COALESCE(
                        (SELECT CAST(value AS INTEGER) FROM node_meta WHERE key = 'refused_by_parent'), 0),
                    last_refusal = (SELECT value FROM node_meta WHERE key = 'last_refusal');
                DELETE FROM node_meta WHERE key NOT IN ('satker', 'hlc');
                """)
    }
}
