def progress_bar(stream, done, total, width=30):
    """Redraw "[#####.....] done/total" in place on `stream` (a command's stderr)."""
    filled = width * done // total
    stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
    stream.flush()
