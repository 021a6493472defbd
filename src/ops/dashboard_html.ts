export const DASHBOARD_HTML = "<!doctype html><title>x</title>";
