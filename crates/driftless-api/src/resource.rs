//! `kube_core::Resource` for the Argo CD kinds, so `kube::Api<Application>`, the reflector
//! store and `kube::runtime::Controller` take them directly.

macro_rules! impl_resource {
    ($ty:ty, $kind:literal, $plural:literal) => {
        impl kube_core::Resource for $ty {
            type DynamicType = ();
            type Scope = k8s_openapi::NamespaceResourceScope;

            fn kind(_: &()) -> std::borrow::Cow<'_, str> {
                $kind.into()
            }
            fn group(_: &()) -> std::borrow::Cow<'_, str> {
                crate::GROUP.into()
            }
            fn version(_: &()) -> std::borrow::Cow<'_, str> {
                crate::VERSION.into()
            }
            fn plural(_: &()) -> std::borrow::Cow<'_, str> {
                $plural.into()
            }
            fn meta(&self) -> &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &self.metadata
            }
            fn meta_mut(
                &mut self,
            ) -> &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &mut self.metadata
            }
        }
    };
}

pub(crate) use impl_resource;

#[cfg(test)]
mod tests {
    use kube_core::Resource;

    use crate::{AppProject, Application, ApplicationSet};

    #[test]
    fn kinds_plurals_and_urls() {
        assert_eq!(Application::api_version(&()), "argoproj.io/v1alpha1");
        assert_eq!(
            Application::url_path(&(), Some("argocd")),
            "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications"
        );
        assert_eq!(AppProject::plural(&()), "appprojects");
        assert_eq!(ApplicationSet::kind(&()), "ApplicationSet");
    }
}
