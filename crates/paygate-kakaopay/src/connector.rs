pub struct KakaoPayConnector; pub struct KakaoPayConnectorConfig;
