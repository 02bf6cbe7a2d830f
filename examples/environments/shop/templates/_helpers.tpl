{{- define "shop.labels" -}}
app.kubernetes.io/part-of: shop
shop.example.com/environment: {{ .Values.environment | quote }}
{{- end -}}

{{- define "shop.wave" -}}
argocd.argoproj.io/sync-wave: {{ . | quote }}
{{- end -}}
