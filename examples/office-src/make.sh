#!/bin/sh
# Remake the sample knowledge base's DOCX and ODT documents from the HTML
# sources here with LibreOffice (apt-get install libreoffice-writer-nogui;
# only this script needs it, scripts/setup does not install it).
set -eu
cd "$(dirname "$0")"
docs=../documents
# A throwaway profile that saves no preview image (30 KB of PNG per file).
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
mkdir -p "$profile/user"
cat > "$profile/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Save/Document"><prop oor:name="GenerateThumbnail" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
XCU
convert() { # SOURCE FORMAT DEST
	soffice -env:UserInstallation="file://$profile" --headless --infilter="HTML (StarWriter)" \
		--convert-to "$2" --outdir "$profile" "$1" >/dev/null 2>&1
	mv "$profile/${1%.html}.$2" "$3"
}
convert planned-maintenance.html docx "$docs/planned-maintenance.docx"
convert migrating-from-other-services.html odt "$docs/migrating-from-other-services.odt"
