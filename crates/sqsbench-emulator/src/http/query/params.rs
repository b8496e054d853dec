//! A query request's parameters, decoded once for every service: the URL query string's and the
//! form body's (the body's value wins a name given in both), with the lookups every service's
//! layout needs (`A.N` items in index order, `A.N.Key`/`A.N.Value` pairs). Each service reads its
//! own shapes on top (`sqs::query_in`, `sns::params`). Depends on nothing of the crate.

use std::collections::BTreeMap;

pub(crate) struct Params(BTreeMap<String, String>);

impl Params {
    pub(crate) fn decode(uri_query: Option<&str>, body: &[u8]) -> Params {
        Params(
            form_urlencoded::parse(uri_query.unwrap_or("").as_bytes())
                .chain(form_urlencoded::parse(body))
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The `Action` parameter: which operation the request asks for.
    pub(crate) fn action(&self) -> Option<&str> {
        self.get("Action")
    }

    /// Adds a parameter the request implies but did not send (an SQS queue URL given as the
    /// request's path); one it did send is kept.
    pub(crate) fn imply(&mut self, name: &str, value: impl FnOnce() -> String) {
        self.0.entry(name.to_string()).or_insert_with(value);
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The prefixes `{list}.N` of a list's or map's items, in index order.
    pub(crate) fn items(&self, list: &str) -> Vec<String> {
        let head = format!("{list}.");
        let mut indexes: Vec<u32> = self
            .0
            .range(head.clone()..)
            .take_while(|(k, _)| k.starts_with(&head))
            .filter_map(|(k, _)| k[head.len()..].split('.').next()?.parse().ok())
            .collect();
        indexes.sort_unstable();
        indexes.dedup();
        indexes.into_iter().map(|i| format!("{head}{i}")).collect()
    }

    /// The `{list}.N.{key}` → `{list}.N.{value}` pairs of a list of structures; an item without
    /// its key is skipped, one without its value maps to "".
    pub(crate) fn pairs(&self, list: &str, key: &str, value: &str) -> BTreeMap<String, String> {
        self.items(list)
            .into_iter()
            .filter_map(|item| {
                let k = self.get(&format!("{item}.{key}"))?;
                let v = self.get(&format!("{item}.{value}")).unwrap_or("");
                Some((k.to_string(), v.to_string()))
            })
            .collect()
    }

    /// The values `{list}.N`, in index order.
    pub(crate) fn values(&self, list: &str) -> Vec<String> {
        self.items(list)
            .iter()
            .filter_map(|item| self.get(item).map(str::to_string))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_wins_and_items_come_in_index_order() {
        let p = Params::decode(
            Some("Action=A&X=from-url"),
            b"X=from-body&L.member.10=ten&L.member.2=two&T.member.1.Key=k&T.member.1.Value=v&T.member.2.Value=orphan",
        );
        assert_eq!(p.action(), Some("A"));
        assert_eq!(p.get("X"), Some("from-body"));
        assert_eq!(p.items("L.member"), ["L.member.2", "L.member.10"]);
        assert_eq!(p.values("L.member"), ["two", "ten"]);
        assert_eq!(
            p.pairs("T.member", "Key", "Value"),
            BTreeMap::from([("k".to_string(), "v".to_string())])
        );
    }

    #[test]
    fn an_implied_parameter_never_replaces_a_sent_one() {
        let mut p = Params::decode(None, b"QueueUrl=sent");
        p.imply("QueueUrl", || "implied".into());
        p.imply("Other", || "implied".into());
        assert_eq!(p.get("QueueUrl"), Some("sent"));
        assert_eq!(p.get("Other"), Some("implied"));
    }
}
