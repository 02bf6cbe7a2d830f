{{- define "legacy.name" -}}{{ .Chart.Name }}-{{ .Release.Name | trunc 5 }}{{- end -}}
