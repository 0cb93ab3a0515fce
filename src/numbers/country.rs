//! Countries as ISO 3166-1 alpha-2 codes (`US`, `GB`, `DE`): where operators are enabled,
//! where numbers and emergency addresses are.

/// Every officially assigned ISO 3166-1 alpha-2 code, sorted.
const CODES: &str = "\
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ \
EC EE EG EH ER ES ET \
FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
HK HM HN HR HT HU \
ID IE IL IM IN IO IQ IR IS IT \
JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ \
LA LB LC LI LK LR LS LT LU LV LY \
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
NA NC NE NF NG NI NL NO NP NR NU NZ \
OM \
PA PE PF PG PH PK PL PM PN PR PS PT PW PY \
QA \
RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ \
UA UG UM US UY UZ \
VA VC VE VG VI VN VU \
WF WS \
YE YT \
ZA ZM ZW";

/// How many codes ISO 3166-1 assigns.
pub const COUNT: usize = 249;

/// Every code, in order.
pub fn all() -> impl Iterator<Item = &'static str> {
    CODES.split_whitespace()
}

/// The code for `input` (any case, surrounding spaces ignored), or why it is none.
pub fn parse(input: &str) -> Result<String, String> {
    let code = input.trim().to_ascii_uppercase();
    if code.len() == 2 && all().any(|c| c == code) {
        Ok(code)
    } else {
        Err(format!(
            "'{input}' is not an ISO 3166-1 alpha-2 country code (like US, GB, DE)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_holds_every_assigned_code_once_in_order() {
        let codes: Vec<&str> = all().collect();
        assert_eq!(codes.len(), COUNT);
        assert!(
            codes.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
        assert!(codes.iter().all(|c| c.len() == 2));
    }

    #[test]
    fn codes_are_read_in_any_case_and_unknown_ones_are_refused() {
        assert_eq!(parse(" gb ").as_deref(), Ok("GB"));
        assert!(
            parse("UK").is_err(),
            "UK is not the ISO code for the United Kingdom"
        );
        assert!(parse("USA").is_err());
        assert!(parse("").is_err());
    }
}
