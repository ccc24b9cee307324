@echo off
rem The `graft` command of an installed Graft (Windows): runs the CLI bundled in app.asar with
rem Graft's own Electron executable acting as Node (ELECTRON_RUN_AS_NODE; the RunAsNode fuse stays
rem on for this). It lives in the app's resources\bin\.
setlocal
set ELECTRON_RUN_AS_NODE=1
"%~dp0..\..\Graft.exe" "%~dp0..\app.asar\dist\cli.cjs" %*
