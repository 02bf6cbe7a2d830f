{{- define "shop.image" -}}
{{- include "common.image" (dict "image" .image "global" .root.Values.global "appVersion" .root.Chart.AppVersion) -}}
{{- end -}}


{{- define "shop.enabledDatabases" -}}
{{- $dbs := list -}}
{{- range $db := list "ordersdb" "usersdb" -}}
{{- if (index $.Values $db).enabled -}}
{{- $dbs = append $dbs $db -}}
{{- end -}}
{{- end -}}
{{- join "," $dbs -}}
{{- end -}}
